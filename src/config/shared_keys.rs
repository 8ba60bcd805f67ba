//! Key sub-tables that the broker and the name server share, each a macro over the config type
//! (both configs spell the fields alike): the remoting-server thread keys Java's
//! `NettyServerConfig` carries (accepted, no effect: we have no thread pools, except
//! `serverSelectorThreads`, the connection arbiters of a listener) and the `tls.*`
//! keys (docs/tls.md). A config's full table is its own parts joined with these
//! ([`super::keys::joined`]), in rendering order.

/// `NettyServerConfig`'s pool and buffer keys, accepted and rendered; all but
/// `serverSelectorThreads` inert.
macro_rules! server_thread_keys {
    ($t:ty) => {
        $crate::config::keys::key_table!($t {
            inert "serverWorkerThreads" => server_worker_threads,
            inert "serverCallbackExecutorThreads" => server_callback_executor_threads,
            "serverSelectorThreads" => server_selector_threads,
            inert "serverOnewaySemaphoreValue" => server_oneway_semaphore_value,
            inert "serverAsyncSemaphoreValue" => server_async_semaphore_value,
            inert "serverPooledByteBufAllocatorEnable" => server_pooled_byte_buf_allocator_enable,
            inert "useEpollNativeSelector" => use_epoll_native_selector,
        })
    };
}
pub(crate) use server_thread_keys;

/// The `tls.*` keys of Java's `TlsSystemConfig`, into the config's `tls` field.
macro_rules! tls_keys {
    ($t:ty) => {
        $crate::config::keys::key_table!($t {
            "tls.server.mode" => tls.server_mode,
            "tls.server.certPath" => tls.server_cert_path,
            "tls.server.keyPath" => tls.server_key_path,
            "tls.server.keyPassword" => tls.server_key_password,
            "tls.server.authClient" => tls.server_auth_client,
            "tls.server.trustCertPath" => tls.server_trust_cert_path,
            "tls.server.need.client.auth" => tls.server_need_client_auth,
            "tls.client.certPath" => tls.client_cert_path,
            "tls.client.keyPath" => tls.client_key_path,
            "tls.client.keyPassword" => tls.client_key_password,
            "tls.client.authServer" => tls.client_auth_server,
            "tls.client.trustCertPath" => tls.client_trust_cert_path,
            "tls.test.mode.enable" => tls.test_mode_enable,
            "tls.enable" => tls.enable,
            "tls.config.file" => tls.config_file,
        })
    };
}
pub(crate) use tls_keys;
