package io.medallion.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that gives tests a {@link Lakehouse}: one per test class, shared by its tests,
 * deleted after the class. The Spark session is shared by every class in the JVM and never stopped.
 *
 * <pre>{@code
 * @ExtendWith(MedallionExtension.class)
 * class OrdersPipelineTest {
 *   @Test
 *   void dedupesOrders(Lakehouse lake) {
 *     var loaded = lake.load(Path.of("conf/pipelines/retail.conf"), Path.of("conf/env/local.conf"));
 *     lake.run(loaded);
 *     assertThat(lake.table(loaded, "silver.orders").count()).isEqualTo(2961);
 *   }
 * }
 * }</pre>
 */
public final class MedallionExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(MedallionExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Lakehouse.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    ExtensionContext classContext = context.getTestClass().isPresent()
        ? classContext(context) : context;
    return classContext.getStore(NS)
        .getOrComputeIfAbsent("lakehouse", k -> new Closing(create()), Closing.class).lakehouse;
  }

  private static ExtensionContext classContext(ExtensionContext context) {
    ExtensionContext c = context;
    while (c.getParent().isPresent() && c.getTestMethod().isPresent()) {
      c = c.getParent().get();
    }
    return c;
  }

  private static Lakehouse create() {
    try {
      return new Lakehouse(Files.createTempDirectory("medallion-test-"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes the lakehouse's directory when JUnit closes the class-level store. */
  private static final class Closing implements ExtensionContext.Store.CloseableResource {
    final Lakehouse lakehouse;

    Closing(Lakehouse lakehouse) {
      this.lakehouse = lakehouse;
    }

    @Override
    public void close() throws IOException {
      try (Stream<Path> files = Files.walk(lakehouse.root())) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
