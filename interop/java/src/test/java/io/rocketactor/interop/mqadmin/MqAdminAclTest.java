package io.rocketactor.interop.mqadmin;

import static io.rocketactor.interop.mqadmin.MqAdminEnv.env;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.common.AclConfig;
import org.apache.rocketmq.common.PlainAccessConfig;
import org.apache.rocketmq.remoting.RPCHook;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * mqadmin's ACL sub-commands (tools/command/acl): updateAclConfig, deleteAclConfig,
 * getAclConfig, clusterAclConfigVersion, updateGlobalWhiteAddr (UPDATE_AND_CREATE_ACL_CONFIG 50,
 * DELETE_ACL_CONFIG 51, GET_BROKER_CLUSTER_ACL_INFO 52, UPDATE_GLOBAL_WHITE_ADDRS_CONFIG 53,
 * GET_BROKER_CLUSTER_ACL_CONFIG 54) against the shared {@code aclEnable=true} cluster of
 * {@link MqAdminEnv}. The commands sign with the credentials mqadmin reads from conf/tools.yml
 * (the admin account of Java's default plain_acl.yml, in every broker's file).
 */
@ExtendWith(MqAdminEnv.Extension.class)
class MqAdminAclTest {
    private static final RPCHook ADMIN = new AclClientRPCHook(new SessionCredentials("rocketmq2", "12345678"));

    private static MqAdmin.Result acl(String command, String... args) {
        String[] all = new String[args.length + 3];
        all[0] = command;
        all[1] = "-n";
        all[2] = env().namesrv;
        System.arraycopy(args, 0, all, 3, args.length);
        return MqAdmin.runWithHook(ADMIN, all);
    }

    private static PlainAccessConfig account(String addr, String accessKey) throws Exception {
        AclConfig cfg = env().admin.examineBrokerClusterAclConfig(addr);
        return cfg.getPlainAccessConfigs().stream().filter(p -> p.getAccessKey().equals(accessKey)).findFirst()
            .orElse(null);
    }

    @Test
    void updateAclConfig() throws Exception {
        MqAdminEnv e = env();
        String ak = MqAdminEnv.unique("ak");
        MqAdmin.Result r = acl("updateAclConfig", "-c", e.clusterName, "-a", ak, "-s", "secret12345", "-w", "127.0.0.*",
            "-i", "DENY", "-u", "SUB", "-t", "topicA=PUB|SUB", "-g", "groupA=SUB").ok();
        assertTrue(r.out.contains("create or update plain access config to " + e.masterA + " success."), r.toString());
        assertTrue(r.out.contains("create or update plain access config to " + e.masterB + " success."), r.toString());
        PlainAccessConfig p = account(e.masterA, ak);
        assertEquals("secret12345", p.getSecretKey());
        assertEquals("127.0.0.*", p.getWhiteRemoteAddress());
        assertEquals("DENY", p.getDefaultTopicPerm());
        assertTrue(p.getTopicPerms().contains("topicA=PUB|SUB"), p.toString());
    }

    @Test
    void deleteAclConfig() throws Exception {
        MqAdminEnv e = env();
        String ak = MqAdminEnv.unique("ak_del");
        acl("updateAclConfig", "-b", e.masterB, "-a", ak, "-s", "secret12345").ok();
        MqAdmin.Result r = acl("deleteAclConfig", "-b", e.masterB, "-a", ak).ok();
        assertTrue(r.out.contains("delete plain access config account from " + e.masterB + " success."), r.toString());
        assertTrue(r.out.contains("account's accesskey is:" + ak), r.toString());
        assertEquals(null, account(e.masterB, ak));
    }

    @Test
    void getAclConfig() throws Exception {
        MqAdminEnv e = env();
        String ak = MqAdminEnv.unique("ak_get");
        acl("updateAclConfig", "-b", e.masterA, "-a", ak, "-s", "secret12345").ok();
        MqAdmin.Result r = acl("getAclConfig", "-b", e.masterA).ok();
        assertTrue(r.out.contains("globalWhiteRemoteAddresses"), r.toString());
        assertTrue(Pattern.compile("(?m)^\\s*accessKey\\s+: " + Pattern.quote(ak) + "$").matcher(r.out).find(), r.toString());
    }

    @Test
    void clusterAclConfigVersion() {
        MqAdminEnv e = env();
        MqAdmin.Result r = acl("clusterAclConfigVersion", "-c", e.clusterName).ok();
        assertTrue(r.out.contains("get cluster's plain access config version success."), r.toString());
        for (String addr : new String[] {e.masterA, e.masterB}) {
            Matcher m = Pattern.compile("(?m)^" + Pattern.quote(e.clusterName) + "\\s+(\\S+)\\s+" + Pattern.quote(addr)
                + "\\s+(\\S+)\\s+(\\d+)\\s+.*$").matcher(r.out);
            assertTrue(m.find(), addr + " in " + r);
        }
    }

    @Test
    void updateGlobalWhiteAddr() throws Exception {
        MqAdminEnv e = env();
        MqAdmin.Result r = acl("updateGlobalWhiteAddr", "-b", e.masterA, "-g", "10.10.*.*").ok();
        assertTrue(r.out.contains("update global white remote addresses to " + e.masterA + " success."), r.toString());
        assertTrue(e.admin.examineBrokerClusterAclConfig(e.masterA).getGlobalWhiteAddrs().contains("10.10.*.*"));
    }
}
