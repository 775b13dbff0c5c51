package com.emitkit.events.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The arrows between packages run one way (see docs/architecture.md); a back-pointing import fails here.
 * Production classes only: tests may reach into any package.
 */
class PackageRulesTest {

    private static final String APP = "com.emitkit.events..";
    /** The dev-only machinery: the embedded Tinybird and the embedded PostgreSQL. */
    private static final String LOCAL = "com.emitkit.events.local..";
    /** What the embedded machinery may use: settings, the shared body codec, and the port it implements. */
    private static final String[] LOCAL_MAY_USE = {LOCAL, "com.emitkit.events.config..", "com.emitkit.events.codec..",
            "com.emitkit.events.tinybird.spi.."};
    /** Everything that knows about HTTP requests of the public and admin APIs. */
    private static final String[] WEB_LAYER = {"com.emitkit.events.web..", "com.emitkit.events.security..",
            "com.emitkit.events.admin..", "com.emitkit.events.ingest..", "com.emitkit.events.query..",
            "com.emitkit.events.deletion..", "com.emitkit.events.webhooks.."};
    /** What the web layer stands on: stores, Tinybird, retention, the outbox, webhook delivery. */
    private static final String[] CORE = {"com.emitkit.events.tenancy..", "com.emitkit.events.tinybird..",
            "com.emitkit.events.retention..", "com.emitkit.events.outbox..", "com.emitkit.events.notify..",
            "com.emitkit.events.config..", "com.emitkit.events.codec.."};

    private static JavaClasses production;

    @BeforeAll
    static void importProduction() {
        production = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("com.emitkit.events");
    }

    @Test
    void noProductionPackageUsesTheEmbeddedMachinery() {
        // The embedded Tinybird is found as a bean of tinybird.spi.EmbeddedEngine, the embedded PostgreSQL as a
        // ConfigSource (META-INF/services): nothing outside local names a class of it.
        noClasses().that().resideOutsideOfPackage(LOCAL).should().dependOnClassesThat().resideInAPackage(LOCAL)
                .check(production);
    }

    @Test
    void theEmbeddedMachineryUsesOnlyConfigTheCodecAndThePortItImplements() {
        noClasses().that().resideInAPackage(LOCAL).should().dependOnClassesThat(
                resideInAPackage(APP).and(not(resideInAnyPackage(LOCAL_MAY_USE)))).check(production);
    }

    @Test
    void theCoreKnowsNothingOfTheWebLayer() {
        noClasses().that().resideInAnyPackage(CORE).should().dependOnClassesThat().resideInAnyPackage(WEB_LAYER)
                .check(production);
    }

    @Test
    void theTinybirdPortNeedsNothingButTheJdk() {
        noClasses().that().resideInAPackage("com.emitkit.events.tinybird.spi..").should().dependOnClassesThat(
                resideInAPackage(APP).and(not(resideInAPackage("com.emitkit.events.tinybird.spi..")))).check(production);
    }

    @Test
    void onlyTheStoresSpeakSql() {
        noClasses().that().resideOutsideOfPackages("com.emitkit.events.tenancy..", "com.emitkit.events.outbox..",
                        "com.emitkit.events.notify..")
                .should().dependOnClassesThat().resideInAnyPackage("io.vertx.sqlclient..", "io.vertx.mutiny.sqlclient..")
                .check(production);
    }

    @Test
    void webhookDeliveryUsesOnlyTenancyAndConfig() {
        noClasses().that().resideInAPackage("com.emitkit.events.notify..").should().dependOnClassesThat(
                resideInAPackage(APP).and(not(resideInAnyPackage("com.emitkit.events.notify..", "com.emitkit.events.tenancy..",
                        "com.emitkit.events.config..")))).check(production);
    }

    /** Deletion withdraws the notices and deliveries of the events it deletes. */
    @Test
    void onlyTheWriteWebhookAndDeletionApisUseWebhookDelivery() {
        noClasses().that().resideOutsideOfPackages("com.emitkit.events.notify..", "com.emitkit.events.ingest..",
                        "com.emitkit.events.webhooks..", "com.emitkit.events.deletion..")
                .should().dependOnClassesThat().resideInAPackage("com.emitkit.events.notify..").check(production);
    }

    @Test
    void topLevelPackagesFormNoCycle() {
        slices().matching("com.emitkit.events.(*)..").should().beFreeOfCycles().check(production);
    }
}
