//! The name-server writes: wipeWritePerm, addWritePerm, updateKvConfig, deleteKvConfig (Java
//! `tools.command.namesrv.*`).

use std::fmt::Write as _;

use super::args::req;
use super::{AdminError, Command, Ctx};

pub static WIPE_WRITE_PERM: Command = Command {
    name: "wipeWritePerm",
    desc: "Wipe write perm of broker in all name server",
    java: "WipeWritePermSubCommand",
    opts: &[req('b', "brokerName", "broker name")],
};

pub static ADD_WRITE_PERM: Command = Command {
    name: "addWritePerm",
    desc: "Add write perm of broker in all name server you defined in the -n param",
    java: "AddWritePermSubCommand",
    opts: &[req('b', "brokerName", "broker name")],
};

pub static UPDATE_KV_CONFIG: Command = Command {
    name: "updateKvConfig",
    desc: "Create or update KV config.",
    java: "UpdateKvConfigCommand",
    opts: &[
        req('s', "namespace", "set the namespace"),
        req('k', "key", "set the key name"),
        req('v', "value", "set the key value"),
    ],
};

pub static DELETE_KV_CONFIG: Command = Command {
    name: "deleteKvConfig",
    desc: "Delete KV config.",
    java: "DeleteKvConfigCommand",
    opts: &[
        req('s', "namespace", "set the namespace"),
        req('k', "key", "set the key name"),
    ],
};

async fn write_perm(c: &Ctx, out: &mut String, writable: bool) -> Result<(), AdminError> {
    c.namesrv()?;
    let broker = c.p.must('b')?;
    let verb = if writable { "add" } else { "wipe" };
    for (ns, r) in c.admin.set_write_perm(broker, writable).await? {
        match r {
            Ok(n) => {
                let _ = writeln!(
                    out,
                    "{verb} write perm of broker[{broker}] in name server[{ns}] OK, {n}"
                );
            }
            Err(e) => {
                let _ = writeln!(
                    out,
                    "{verb} write perm of broker[{broker}] in name server[{ns}] Failed"
                );
                eprintln!("{}", AdminError::from(e).cause_line());
            }
        }
    }
    Ok(())
}

pub async fn wipe_write_perm(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    write_perm(c, out, false).await
}

pub async fn add_write_perm(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    write_perm(c, out, true).await
}

pub async fn update_kv_config(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    c.namesrv()?;
    c.admin
        .put_kv_config(c.p.must('s')?, c.p.must('k')?, c.p.must('v')?)
        .await?;
    let _ = writeln!(out, "create or update kv config to namespace success.");
    Ok(())
}

pub async fn delete_kv_config(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    c.namesrv()?;
    c.admin
        .delete_kv_config(c.p.must('s')?, c.p.must('k')?)
        .await?;
    let _ = writeln!(out, "delete kv config from namespace success.");
    Ok(())
}
