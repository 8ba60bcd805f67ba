package io.rocketactor.interop.mqadmin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

/**
 * Keeps the mqadmin suite honest: MQAdminStartup.initCommand() of rocketmq-tools 4.9.7
 * registers 57 sub-commands, and every one of them has a test method of its own name in one of
 * the {@code MqAdmin*Test} classes (none is "not applicable" to a 4.x master/slave cluster; see
 * interop/java/README.md).
 */
class MqAdminCommandsTest {
    static final List<Class<?>> SUITE = List.of(MqAdminTopicTest.class, MqAdminNamesrvTest.class,
        MqAdminBrokerTest.class, MqAdminMessageTest.class, MqAdminGroupTest.class, MqAdminOffsetTest.class,
        MqAdminClusterTest.class, MqAdminAclTest.class);

    @Test
    void everySubCommandHasItsTest() {
        Set<String> registered = MqAdmin.commands().keySet();
        assertEquals(57, registered.size(), "sub-commands of MQAdminStartup.initCommand(): " + registered);
        Set<String> tested = new TreeSet<>();
        for (Class<?> c : SUITE) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.isAnnotationPresent(Test.class)) {
                    tested.add(m.getName());
                }
            }
        }
        Set<String> missing = new TreeSet<>(registered);
        missing.removeAll(tested);
        assertTrue(missing.isEmpty(), "sub-commands without a test method: " + missing);
    }
}
