//! One queue's worker of the push consumer: pulls, hands batches to the callback and tracks
//! the offset to commit (moved out of `push.rs` to keep it under the size limit).

#[allow(unused_imports)]
use super::*;

pub(super) async fn work(
    ctx: Arc<Ctx>,
    mq: MessageQueue,
    sub: SubscriptionData,
    offset: Arc<AtomicI64>,
    mut stop: watch::Receiver<bool>,
) {
    let mut next = loop {
        match start_offset(&ctx, &mq).await {
            Ok(o) => break o,
            Err(e) => {
                debug!(ctx.log, "cannot find start offset"; "queue" => mq.queue_id, "error" => %e);
                if pause(&mut stop, ctx.cfg.pull_error_delay).await {
                    return;
                }
            }
        }
    };
    offset.store(next, Ordering::Release);
    let spec = PullSpec {
        max_nums: ctx.cfg.pull_batch_size,
        expression: Some(&sub.sub_string),
        filter: Some(&sub),
        suspend: Some(ctx.cfg.suspend),
        commit_offset: None,
    };
    while !*stop.borrow() {
        let pulled = tokio::select! {
            _ = stopped(&mut stop) => return,
            r = ctx.consumer.pull_with(&mq, next, &spec) => r,
        };
        match pulled {
            Ok(r) => {
                if r.status == PullStatus::Found {
                    consume(&ctx, r.messages).await;
                }
                next = r.next_begin_offset;
                offset.store(next, Ordering::Release);
            }
            Err(e) => {
                debug!(ctx.log, "pull failed"; "queue" => mq.queue_id, "error" => %e);
                if pause(&mut stop, ctx.cfg.pull_error_delay).await {
                    return;
                }
            }
        }
    }
}

/// Runs the callback over `msgs` on the blocking pool, then sends back the failures.
async fn consume(ctx: &Arc<Ctx>, msgs: Vec<MessageExt>) {
    let cb = ctx.callback.clone();
    let shown: Vec<MessageExt> = msgs.iter().map(user_view).collect();
    let verdicts =
        tokio::task::spawn_blocking(move || shown.iter().map(|m| cb(m)).collect::<Vec<_>>())
            .await
            .unwrap_or_else(|_| {
                // A panicking callback counts as "try again later" for the whole batch.
                Vec::new()
            });
    for (i, msg) in msgs.iter().enumerate() {
        let verdict = verdicts
            .get(i)
            .copied()
            .unwrap_or(ConsumeResult::ReconsumeLater);
        if verdict == ConsumeResult::Success {
            continue;
        }
        let mut sent = false;
        for _ in 0..SEND_BACK_ATTEMPTS {
            match ctx.consumer.send_back(msg, 0).await {
                Ok(()) => {
                    sent = true;
                    break;
                }
                Err(e) => {
                    debug!(ctx.log, "send back failed"; "msg_id" => &msg.msg_id, "error" => %e);
                    tokio::time::sleep(ctx.cfg.pull_error_delay).await;
                }
            }
        }
        if !sent {
            warn!(ctx.log, "message could not be sent back for retry; it is skipped";
                "msg_id" => &msg.msg_id, "topic" => &msg.topic);
        }
    }
}

/// What the callback sees: a retried message shows its original topic, as in Java.
fn user_view(m: &MessageExt) -> MessageExt {
    let mut m = m.clone();
    if m.topic.starts_with(RETRY_GROUP_TOPIC_PREFIX) {
        if let Some(t) = m.properties.get(PROPERTY_RETRY_TOPIC) {
            m.topic = t.clone();
        }
    }
    m
}
