package org.switchboard.systemtest.support.k8s;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Resolves a {@link Stack} parameter: the overlays rendered once per test run (in the root store, shared by every
 * test class). Without a kubectl that can render them (none on the PATH, none where {@value Stack#KUBECTL_PROPERTY}
 * points, or older than 1.27) every test taking a {@link Stack} is skipped (disabled, as an exception thrown while
 * resolving a parameter would count as an error, not a skip), and the skip says what the kubectl-less fallback found: the base
 * alone, read by {@link BaseManifests} and schema-validated (its own test, {@code KubernetesBaseManifestsTest}, fails
 * on any violation). A {@link Tiers} parameter is resolved either way: the rendered tiers, or the base read without
 * kubectl, so the checks that hold in the base still run there.
 */
public final class RenderedStackExtension implements ParameterResolver, ExecutionCondition {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(RenderedStackExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Stack.class || parameter.getParameter().getType() == Tiers.class;
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        boolean needsStack = context.getTestMethod()
                .map(m -> Arrays.stream(m.getParameterTypes()).anyMatch(t -> t == Stack.class))
                .orElse(false);
        if (!needsStack || Stack.findKubectl().isPresent()) {
            return ConditionEvaluationResult.enabled("kubectl renders deploy/k8s, or the test does not need it");
        }
        String base = context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent("base-validation", key -> validateBase(), String.class);
        return ConditionEvaluationResult.disabled(Stack.kubectlProblem() + ": the overlays were NOT rendered or cross-checked "
                + "(install kubectl >= 1.27 to run these tests); " + base);
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Optional<Path> kubectl = Stack.findKubectl();
        if (parameter.getParameter().getType() == Tiers.class) {
            return kubectl.isPresent()
                    ? new Tiers(stack(context, kubectl.get()).tiers(), true)
                    : new Tiers(List.of(BaseManifests.load().tier()), false);
        }
        if (kubectl.isEmpty()) {
            throw new IllegalStateException(Stack.kubectlProblem() + " (the execution condition should have skipped this test)");
        }
        return stack(context, kubectl.get());
    }

    /** The overlays rendered once per run, in the root store. */
    private static Stack stack(ExtensionContext context, Path kubectl) {
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(Stack.class, key -> {
            try {
                return Stack.render(kubectl);
            } catch (Exception e) {
                throw new AssertionError("rendering deploy/k8s failed: " + e.getMessage(), e);
            }
        }, Stack.class);
    }

    /** One line on the base validated without kubectl, for the skip message. */
    private static String validateBase() {
        try {
            List<KubeObject> objects = BaseManifests.load().objects();
            KubeSchemas schemas = new KubeSchemas(BaseManifests.schemasDir());
            List<String> violations = new ArrayList<>();
            objects.forEach(o -> violations.addAll(schemas.violations(o)));
            return violations.isEmpty()
                    ? "the base WAS still validated without kubectl: " + objects.size() + " documents of deploy/k8s/base, all valid against the strict schemas"
                    : "the base was validated without kubectl and FAILS: " + violations.size() + " violations in " + objects.size()
                            + " documents of deploy/k8s/base (see KubernetesBaseManifestsTest), first: " + violations.get(0);
        } catch (RuntimeException e) {
            return "the base could NOT be read without kubectl (see KubernetesBaseManifestsTest): " + e.getMessage();
        }
    }
}
