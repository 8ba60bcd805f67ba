//! The one `Handler<InjectFailure>` every supervised actor shares (feature `failpoints`): the
//! [`handle_inject_failure!`](crate::handle_inject_failure) macro writes it, so an actor
//! states only its name in the panic message and, where it must, what "stop" means for it
//! (a connection closes through its own failure path; the registry and listener log first).
//!
//! A macro rather than a blanket impl: `Handler` is actix's trait, so a generic
//! `impl<A: Hook> Handler<InjectFailure> for A` is not allowed by the orphan rule.

/// Implements `Handler<InjectFailure>` for an actor (only with the `failpoints` feature):
/// `Stop` runs the given stop expression (default: `ctx.stop()`), `Panic` panics with
/// "injected <what> panic".
///
/// ```ignore
/// handle_inject_failure!(TopicQueue, "topic-queue");
/// handle_inject_failure!(Connection, "connection", |this, ctx| this.fail("injected failure", ctx));
/// ```
#[macro_export]
macro_rules! handle_inject_failure {
    ($actor:ty, $what:literal) => {
        $crate::handle_inject_failure!($actor, $what, |_this, ctx| {
            ::actix::ActorContext::stop(ctx)
        });
    };
    ($actor:ty, $what:literal, |$this:ident, $ctx:ident| $stop:expr) => {
        #[cfg(feature = "failpoints")]
        impl ::actix::Handler<$crate::actors::supervisor::InjectFailure> for $actor {
            type Result = ();
            fn handle(
                &mut self,
                f: $crate::actors::supervisor::InjectFailure,
                ctx: &mut <Self as ::actix::Actor>::Context,
            ) {
                match f {
                    $crate::actors::supervisor::InjectFailure::Stop => {
                        let $this = self;
                        let $ctx = ctx;
                        $stop
                    }
                    $crate::actors::supervisor::InjectFailure::Panic => {
                        panic!(concat!("injected ", $what, " panic"))
                    }
                }
            }
        }
    };
}
