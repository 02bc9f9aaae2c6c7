package io.transfer4j.examples;

import java.util.concurrent.Callable;

import io.transfer4j.cli.ContributedCommand;
import io.transfer4j.cli.ExitCode;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code transfer4j example NAME [options]}: the Java twins of the classic Keras tutorials. */
@Command(name = "example", mixinStandardHelpOptions = true,
        description = "Run one of the Java twins of the Keras tutorials (see cli-examples/EXAMPLES.md).",
        subcommands = {MnistCnnExample.class, MnistCnnAugmentedExample.class,
                Vgg16TransferExample.class, ResNet50TransferExample.class})
public final class ExampleCommand implements Callable<Integer>, ContributedCommand {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return ExitCode.USAGE;
    }

    /** {@code example NAME args...}, for the examples' {@code main} methods. */
    static String[] args(String name, String[] args) {
        String[] all = new String[args.length + 2];
        all[0] = "example";
        all[1] = name;
        System.arraycopy(args, 0, all, 2, args.length);
        return all;
    }
}
