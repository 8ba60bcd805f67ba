package io.rocketactor.interop;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a real test that fails today because rocketactor lacks a feature. A failure is reported
 * as ABORTED ("expected failure: why :: first line of the exception"); a pass FAILS the test
 * ("unexpectedly passed: remove @ExpectedFailure"), so the list shrinks as features land and
 * nothing passes silently. See {@link ExpectedFailureExtension}.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(ExpectedFailureExtension.class)
public @interface ExpectedFailure {
    /** Why it fails: the missing request code(s) or feature. */
    String value();
}
