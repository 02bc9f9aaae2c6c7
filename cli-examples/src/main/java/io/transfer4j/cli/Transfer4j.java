package io.transfer4j.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code transfer4j} command. */
@Command(name = "transfer4j", mixinStandardHelpOptions = true, version = "transfer4j 0.1.0-SNAPSHOT",
        description = "Transfer learning for Java: fine-tune pretrained VGG16/ResNet50 on a folder of images.",
        subcommands = {CommandLine.HelpCommand.class})
public final class Transfer4j implements Callable<Integer> {

    @Override
    public Integer call() {
        CommandLine.usage(this, System.out);
        return 0;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Transfer4j()).execute(args));
    }
}
