package io.transfer4j.zoo;

import java.nio.file.Path;

/** A second JVM for the cross-process lock test: fetches {@code tiny} with the given catalogue and directories. */
public final class FetchMain {
    private FetchMain() {
    }

    public static void main(String[] args) {
        Zoo zoo = Zoo.builder().catalogue(Path.of(args[0])).home(Path.of(args[1])).dl4jHome(Path.of(args[2]))
                .kerasHome(Path.of(args[3])).build();
        System.out.println(zoo.fetch("tiny"));
    }
}
