package org.switchboard.proxy;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The direction of proxy-core's packages, kept by the build rather than by good intentions
 * (STYLE.md, and the root package-info): each layer of the data path may use the layers below it,
 * never those above. Outermost first: server, listener, http1, http, router, upstream; below them
 * all the wire codec, stats, TLS and the socket-level steps (net).
 */
class ArchitectureTest {
    private static final String P = "org.switchboard.proxy";
    private static final JavaClasses PROXY = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(P);

    @Test
    void theRootPackageHoldsOnlyTheEntryPoint() {
        classes().that().resideInAPackage(P).and().doNotHaveSimpleName("package-info")
                .should().haveSimpleNameStartingWith("Main").check(PROXY);
    }

    @Test
    void theHttp1CodecDependsOnNothingOfTheProxy() {
        noClasses().that().resideInAPackage(P + ".codec..")
                .should().dependOnClassesThat().resideInAnyPackage(P, P + ".server..", P + ".listener..", P + ".http1..",
                        P + ".http..", P + ".router..", P + ".upstream..", P + ".stats..", P + ".admin..",
                        "org.switchboard.routing..", "org.switchboard.config..", "org.switchboard.health..")
                .check(PROXY);
    }

    @Test
    void socketStepsDependOnNothingOfTheProxy() {
        noClasses().that().resideInAPackage(P + ".net..")
                .should().dependOnClassesThat().resideInAnyPackage(P, P + ".server..", P + ".listener..", P + ".http1..",
                        P + ".http2..", P + ".http..", P + ".router..", P + ".upstream..", P + ".stats..", P + ".admin..",
                        P + ".codec..", P + ".tls..", "org.switchboard.routing..", "org.switchboard.config..",
                        "org.switchboard.health..")
                .check(PROXY);
    }

    @Test
    void connectionsStatsAndHealthDoNotReachUpIntoTheRequestJourney() {
        noClasses().that().resideInAnyPackage(P + ".upstream..", P + ".stats..", P + ".health..")
                .should().dependOnClassesThat().resideInAnyPackage(P, P + ".server..", P + ".listener..", P + ".http1..",
                        P + ".http..", P + ".router..", P + ".admin..", P + ".discovery..", P + ".demo..", P + ".codec..")
                .check(PROXY);
    }

    @Test
    void theRouterKnowsNoCodecAndNoJourneyAboveIt() {
        noClasses().that().resideInAPackage(P + ".router..")
                .should().dependOnClassesThat().resideInAnyPackage(P, P + ".server..", P + ".listener..", P + ".http1..",
                        P + ".http2..", P + ".http..", P + ".admin..")
                .check(PROXY);
    }

    @Test
    void theRequestJourneyKnowsNoCodecConnectionAboveIt() {
        noClasses().that().resideInAPackage(P + ".http")
                .should().dependOnClassesThat().resideInAnyPackage(P, P + ".server..", P + ".listener..", P + ".http1..",
                        P + ".http2..", P + ".admin..")
                .check(PROXY);
    }

    @Test
    void theProtocolConnectionsKnowNotTheListenerThatInstallsThemNorEachOther() {
        noClasses().that().resideInAPackage(P + ".http1..")
                .should().dependOnClassesThat().resideInAnyPackage(P, P + ".server..", P + ".listener..", P + ".admin..",
                        P + ".http2..")
                .check(PROXY);
        noClasses().that().resideInAPackage(P + ".http2..")
                .should().dependOnClassesThat().resideInAnyPackage(P, P + ".server..", P + ".listener..", P + ".admin..",
                        P + ".http1..")
                .check(PROXY);
    }

    @Test
    void theListenerKnowsNotTheServerThatStartsIt() {
        noClasses().that().resideInAPackage(P + ".listener..")
                .should().dependOnClassesThat().resideInAnyPackage(P, P + ".server..", P + ".admin..")
                .check(PROXY);
    }

    @Test
    void tlsMaterialAndHandshakesKnowNothingOfHttp() {
        noClasses().that().resideInAPackage(P + ".tls..")
                .should().dependOnClassesThat().resideInAnyPackage(P, P + ".server..", P + ".listener..", P + ".http1..",
                        P + ".http..", P + ".router..", P + ".upstream..", P + ".admin..", P + ".codec..",
                        "org.switchboard.routing..")
                .check(PROXY);
    }

    @Test
    void onlyTheEntryPointStartsTheDemo() {
        noClasses().that().resideOutsideOfPackage(P + ".demo..").and().doNotHaveSimpleName("Main")
                .should().dependOnClassesThat().resideInAPackage(P + ".demo..")
                .check(PROXY);
    }
}
