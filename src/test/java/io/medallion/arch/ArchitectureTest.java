package io.medallion.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.base.DescribedPredicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package boundaries of docs/architecture.md, checked on the compiled main classes: the
 * top-level packages form no cycle, {@code X.internal} is used only by {@code X}, and library code
 * outside {@code cli} never ends the JVM or the Spark session.
 */
class ArchitectureTest {
  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
        .importPackages("io.medallion");
  }

  @Test
  void topLevelPackagesFormNoCycle() {
    slices().matching("io.medallion.(*)..").should().beFreeOfCycles().check(main);
  }

  @Test
  void internalPackagesAreUsedOnlyByTheirOwnPackage() {
    classes().should(useOnlyTheirOwnInternals()).check(main);
  }

  @Test
  void libraryCodeNeverExitsNorStopsSpark() {
    noClasses().that().resideOutsideOfPackage("io.medallion.cli..")
        .should().callMethodWhere(endsTheJvmOrSpark())
        .orShould().callConstructorWhere(createsASparkContext())
        .because("only the command line may end the JVM or the session (Databricks shares both)")
        .check(main);
  }

  @Test
  void userFacingErrorsAreMadeInTheirPackagesErrorFactory() {
    noClasses().that().haveSimpleNameNotEndingWith("Errors")
        .and().areNotAssignableTo("io.medallion.MedallionException")
        .should().callConstructorWhere(createsAUserFacingError())
        .because("every package builds its MedallionExceptions in one factory (e.g. KinesisErrors,"
            + " CatalogErrors) that says problem, cause and fix")
        .check(main);
  }

  private static DescribedPredicate<JavaAccess<?>> createsAUserFacingError() {
    return new DescribedPredicate<>("new MedallionException or a subclass") {
      @Override
      public boolean test(JavaAccess<?> access) {
        return access.getTargetOwner().isAssignableTo("io.medallion.MedallionException");
      }
    };
  }

  /** {@code a.b.internal.C} may be used by classes in {@code a.b} and below only. */
  private static ArchCondition<JavaClass> useOnlyTheirOwnInternals() {
    return new ArchCondition<>("use X.internal only from inside X") {
      @Override
      public void check(JavaClass origin, ConditionEvents events) {
        for (Dependency d : origin.getDirectDependenciesFromSelf()) {
          String target = d.getTargetClass().getPackageName();
          int cut = target.indexOf(".internal");
          if (!target.startsWith("io.medallion") || cut < 0
              || !(target.endsWith(".internal") || target.charAt(cut + ".internal".length()) == '.')) {
            continue;
          }
          String owner = target.substring(0, cut);
          String from = origin.getPackageName();
          if (!(from.equals(owner) || from.startsWith(owner + "."))) {
            events.add(SimpleConditionEvent.violated(origin,
                origin.getName() + " uses " + d.getTargetClass().getName() + " from outside " + owner
                    + " (" + d.getDescription() + ")"));
          }
        }
      }
    };
  }

  private static DescribedPredicate<JavaAccess<?>> endsTheJvmOrSpark() {
    return new DescribedPredicate<>("System.exit, Runtime.halt/exit, or stop/close of SparkSession/SparkContext") {
      @Override
      public boolean test(JavaAccess<?> access) {
        String owner = access.getTargetOwner().getName();
        String name = access.getName();
        return owner.equals("java.lang.System") && name.equals("exit")
            || owner.equals("java.lang.Runtime") && (name.equals("exit") || name.equals("halt"))
            || (owner.equals("org.apache.spark.sql.SparkSession") || owner.equals("org.apache.spark.SparkContext")
                || owner.equals("org.apache.spark.api.java.JavaSparkContext"))
                && (name.equals("stop") || name.equals("close"));
      }
    };
  }

  private static DescribedPredicate<JavaAccess<?>> createsASparkContext() {
    return new DescribedPredicate<>("new SparkContext") {
      @Override
      public boolean test(JavaAccess<?> access) {
        String owner = access.getTargetOwner().getName();
        return owner.equals("org.apache.spark.SparkContext") || owner.equals("org.apache.spark.api.java.JavaSparkContext");
      }
    };
  }
}
