#!/usr/bin/env bash
# Checks the README's "Depend on it from another Maven project" recipe without touching ~/.m2: installs the
# reactor into target/bom-check/repo (reading dependencies from ~/.m2 as a read-only tail, Maven >= 3.9), then
# compiles and runs a throwaway project that imports transfer4j-bom and depends on transfer4j-training without
# versions. Usage: bom/check.sh [-o]   (-o: offline)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$root/target/bom-check
repo=$work/repo
offline=${1:-}
version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' pom.xml | head -1)
rm -rf "$work/consumer"
mkdir -p "$work/consumer/src/main/java/demo"
common=(-B -q $offline -Dmaven.repo.local="$repo" -Dmaven.repo.local.tail="$HOME/.m2/repository")
echo "installing transfer4j $version into $repo (not ~/.m2) ..."
./mvnw "${common[@]}" install -DskipTests -Dmaven.javadoc.skip=true
cat > "$work/consumer/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>demo</groupId><artifactId>consumer</artifactId><version>1</version>
  <properties><maven.compiler.release>17</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding></properties>
  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>io.transfer4j</groupId><artifactId>transfer4j-bom</artifactId>
        <version>$version</version><type>pom</type><scope>import</scope>
      </dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <dependency><groupId>io.transfer4j</groupId><artifactId>transfer4j-training</artifactId></dependency>
  </dependencies>
</project>
POM
cat > "$work/consumer/src/main/java/demo/Main.java" <<'JAVA'
package demo;

import io.transfer4j.training.FineTunePlan;
import io.transfer4j.zoo.Backbone;
import io.transfer4j.zoo.InputShape;
import io.transfer4j.zoo.Zoo;

public final class Main {
    public static void main(String[] args) {
        Backbone b = Zoo.builder().offline(true).build().random("tiny", InputShape.rgb(32, 32), 1);
        System.out.println("ok " + b.id() + " " + b.lastGroup().name() + " "
                + FineTunePlan.kerasRecipe(b.lastGroup().name(), 1, 0).phases().size());
    }
}
JAVA
cd "$work/consumer"
"$root/mvnw" "${common[@]}" -f pom.xml org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath -Dmdep.outputFile=cp.txt compile
out=$(java -cp "target/classes:$(cat cp.txt)" demo.Main 2>/dev/null | tail -1)
echo "$out"
[[ $out == "ok tiny block3 1" ]] || { echo "bom check FAILED"; exit 1; }
echo "bom check passed: the BOM import resolves transfer4j-training and its DL4J natives without versions"
