package org.switchboard.systemtest.support.k8s;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Resolves a {@link Stack} parameter: the overlays rendered once per test run (in the root store, shared by every
 * test class). Without kubectl on the PATH the tests are skipped, and say so.
 */
public final class RenderedStackExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(RenderedStackExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Stack.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Optional<Path> kubectl = Stack.findKubectl();
        Assumptions.assumeTrue(kubectl.isPresent(),
                "kubectl is not on the PATH: deploy/k8s was NOT rendered, schema-validated or cross-checked (install kubectl >= 1.27 to run these tests)");
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(Stack.class, key -> {
            try {
                return Stack.render(kubectl.get());
            } catch (Exception e) {
                throw new AssertionError("rendering deploy/k8s failed: " + e.getMessage(), e);
            }
        }, Stack.class);
    }
}
