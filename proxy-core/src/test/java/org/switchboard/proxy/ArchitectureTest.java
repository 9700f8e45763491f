package org.switchboard.proxy;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The direction of proxy-core's packages, kept by the build rather than by good intentions
 * (STYLE.md): the wire codec knows nothing of the proxy; connections and metrics know nothing of
 * the request journey above them; nothing but the entry point uses the demo.
 */
class ArchitectureTest {
    private static final JavaClasses PROXY = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.switchboard.proxy");

    @Test
    void theHttp1CodecDependsOnNothingOfTheProxy() {
        noClasses().that().resideInAPackage("org.switchboard.proxy.codec..")
                .should().dependOnClassesThat().resideInAnyPackage("org.switchboard.proxy", "org.switchboard.proxy.upstream..",
                        "org.switchboard.proxy.metrics..", "org.switchboard.proxy.admin..", "org.switchboard.routing..",
                        "org.switchboard.config..", "org.switchboard.health..")
                .check(PROXY);
    }

    @Test
    void connectionsAndMetricsDoNotReachUpIntoTheRequestJourney() {
        noClasses().that().resideInAnyPackage("org.switchboard.proxy.upstream..", "org.switchboard.proxy.metrics..")
                .should().dependOnClassesThat().resideInAnyPackage("org.switchboard.proxy", "org.switchboard.proxy.admin..",
                        "org.switchboard.proxy.discovery..", "org.switchboard.proxy.demo..", "org.switchboard.proxy.codec..")
                .check(PROXY);
    }

    @Test
    void tlsMaterialAndHandshakesKnowNothingOfTheRequestJourney() {
        noClasses().that().resideInAPackage("org.switchboard.proxy.tls..")
                .should().dependOnClassesThat().resideInAnyPackage("org.switchboard.proxy", "org.switchboard.proxy.upstream..",
                        "org.switchboard.proxy.admin..", "org.switchboard.proxy.codec..", "org.switchboard.routing..")
                .check(PROXY);
    }

    @Test
    void onlyTheEntryPointStartsTheDemo() {
        noClasses().that().resideOutsideOfPackage("org.switchboard.proxy.demo..").and().doNotHaveSimpleName("Main")
                .should().dependOnClassesThat().resideInAPackage("org.switchboard.proxy.demo..")
                .check(PROXY);
    }
}
