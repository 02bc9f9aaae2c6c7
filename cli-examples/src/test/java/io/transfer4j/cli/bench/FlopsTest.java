package io.transfer4j.cli.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.junit.jupiter.api.Test;

import io.transfer4j.zoo.InputShape;
import io.transfer4j.zoo.Zoo;
import io.transfer4j.zoo.internal.Graphs;

/** The bench's FLOP counts against the published multiply-adds (Keras' MobileNetV2 table: 300 M at 1.0/224). */
class FlopsTest {
    private static double gflops(String id) {
        Zoo zoo = Zoo.builder().build();
        var conf = Graphs.configuration(zoo.spec(id), InputShape.rgb(224, 224), true, 0, 1e-3);
        return Flops.forwardPerImage(conf, InputType.convolutional(224, 224, 3)) / 1e9;
    }

    @Test
    void mobilenetv2CountsDepthwiseConvolutionsPerChannel() {
        double g = gflops("mobilenetv2");
        assertTrue(g > 0.55 && g < 0.65, "2 x ~300 M multiply-adds; a depthwise layer counted as a full"
                + " convolution would give ~10x more: " + g);
    }

    @Test
    void resnet50IsAboutFourGigaMultiplyAdds() {
        double g = gflops("resnet50");
        assertTrue(g > 7.0 && g < 8.2, "2 x ~3.9 G multiply-adds: " + g);
    }
}
