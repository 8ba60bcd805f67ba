package io.rocketactor.interop;

import java.lang.reflect.Method;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * The JUnit 5 side of {@link ExpectedFailure}: turns the annotated test's failure into an
 * aborted (skipped) result with a message saying why, and its pass into a failure.
 */
public final class ExpectedFailureExtension implements InvocationInterceptor {
    static final String ABORT_PREFIX = "expected failure: ";
    static final String UNEXPECTED_PASS = "unexpectedly passed: remove @ExpectedFailure";

    @Override
    public void interceptTestMethod(Invocation<Void> invocation,
                                    ReflectiveInvocationContext<Method> invocationContext,
                                    ExtensionContext extensionContext) throws Throwable {
        ExpectedFailure ann = invocationContext.getExecutable().getAnnotation(ExpectedFailure.class);
        if (ann == null) {
            invocation.proceed();
            return;
        }
        try {
            invocation.proceed();
        } catch (TestAbortedException alreadyAborted) {
            throw alreadyAborted;
        } catch (Throwable t) {
            TestAbortedException aborted =
                new TestAbortedException(ABORT_PREFIX + ann.value() + " :: " + firstLine(t), t);
            throw aborted;
        }
        throw new AssertionFailedError(UNEXPECTED_PASS + " (" + ann.value() + ")");
    }

    /** The exception's class and the first line of its message. */
    static String firstLine(Throwable t) {
        String msg = t.getMessage();
        String first = msg == null ? "" : msg.lines().findFirst().orElse("");
        return t.getClass().getName() + (first.isEmpty() ? "" : ": " + first);
    }
}
