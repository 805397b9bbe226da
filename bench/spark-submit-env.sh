# Sourced by the bench scripts that run the job jar as whole spark-submit processes: sets
#   jar   the job jar (target/medallion-*.jar, built with `mvn -o -DskipTests package` if missing)
#   cp    the Spark/Delta/Hadoop class path Maven resolved (target/spark-classpath.txt)
#   opens the JVM flags Spark needs on Java 17 (pom.xml's spark.java17.opens)
# Run from the project folder.
jobjar() { ls target/medallion-*.jar 2>/dev/null | grep -v -e original -e sources -e javadoc -e tests | head -n 1 || true; }
jar=$(jobjar)
if [[ -z "$jar" || ! -f target/spark-classpath.txt ]]; then
  mvn -q -B -o -DskipTests package
  jar=$(jobjar)
fi
cp=$(cat target/spark-classpath.txt)
opens=$(sed -n 's/.*<spark.java17.opens>\(.*\)<\/spark.java17.opens>.*/\1/p' pom.xml | head -n 1)
if [[ -z "$opens" ]]; then
  opens=$(grep -A20 '<spark.java17.opens>' pom.xml | tr '\n' ' ' | sed 's/.*<spark.java17.opens>\(.*\)<\/spark.java17.opens>.*/\1/')
fi
