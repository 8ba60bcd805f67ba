package io.rocketactor.interop;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.EventType;

/**
 * {@link ExpectedFailure} itself: a failing annotated test is reported ABORTED with the
 * "expected failure: why :: first line" message, a passing one FAILS with "unexpectedly passed".
 * The fixture classes are static nested classes, which surefire does not run on its own.
 */
class ExpectedFailureTest {

    static class FailingFixture {
        @Test
        @ExpectedFailure("CHECK_CLIENT_CONFIG (46) missing")
        void fails() {
            throw new IllegalStateException("CODE: 13 DESC: boom\nsecond line");
        }
    }

    static class PassingFixture {
        @Test
        @ExpectedFailure("END_TRANSACTION (37) missing")
        void passes() {
            assertEquals(2, 1 + 1);
        }
    }

    private static TestExecutionResult onlyResult(Class<?> fixture) {
        List<Event> finished = EngineTestKit.engine("junit-jupiter").selectors(selectClass(fixture)).execute()
            .testEvents().filter(e -> e.getType() == EventType.FINISHED).toList();
        assertEquals(1, finished.size(), "one test finished");
        return finished.get(0).getRequiredPayload(TestExecutionResult.class);
    }

    @Test
    void aFailureIsReportedAsAbortedWithTheReason() {
        TestExecutionResult r = onlyResult(FailingFixture.class);
        assertEquals(TestExecutionResult.Status.ABORTED, r.getStatus());
        String msg = r.getThrowable().orElseThrow().getMessage();
        assertEquals("expected failure: CHECK_CLIENT_CONFIG (46) missing :: java.lang.IllegalStateException: "
            + "CODE: 13 DESC: boom", msg);
    }

    @Test
    void aPassIsReportedAsFailure() {
        TestExecutionResult r = onlyResult(PassingFixture.class);
        assertEquals(TestExecutionResult.Status.FAILED, r.getStatus());
        String msg = r.getThrowable().orElseThrow().getMessage();
        assertTrue(msg.startsWith("unexpectedly passed: remove @ExpectedFailure"), msg);
    }
}
