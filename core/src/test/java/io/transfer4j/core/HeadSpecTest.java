package io.transfer4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;

/** HeadSpec and its dense layers check themselves: the builder, {@code new} and Jackson meet the same checks. */
class HeadSpecTest {

    @Test
    void newAndTheBuilderShareTheChecks() {
        String viaBuilder = assertThrows(IllegalArgumentException.class,
                () -> HeadSpec.builder().dense(8, Activation.RELU, 1.0, false).build()).getMessage();
        assertEquals("dropout is the share of units dropped and must be in [0, 1); received 1.0", viaBuilder);
        assertEquals(viaBuilder, assertThrows(IllegalArgumentException.class,
                () -> new HeadSpec(null, List.of(new HeadSpec.Dense(8, Activation.RELU, 1.0, false)))).getMessage());
        assertEquals("head dense layers must be a list without nulls (empty = no hidden layer); received null",
                assertThrows(IllegalArgumentException.class, () -> new HeadSpec(Pooling.AVG, null)).getMessage());
        List<HeadSpec.Dense> withNull = new ArrayList<>(Arrays.asList(new HeadSpec.Dense(4, Activation.TANH, 0, true),
                null));
        assertThrows(IllegalArgumentException.class, () -> new HeadSpec(Pooling.AVG, withNull));
        HeadSpec ok = new HeadSpec(Pooling.AVG, withNull.subList(0, 1));
        withNull.set(0, new HeadSpec.Dense(9, Activation.RELU, 0, false));
        assertEquals(4, ok.dense().get(0).units(), "the record keeps its own copy");
    }

    @Test
    void jacksonMeetsTheSameChecks() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ValueInstantiationException e = assertThrows(ValueInstantiationException.class, () -> json.readValue(
                "{\"units\": 0, \"activation\": \"RELU\", \"dropout\": 0, \"batchNorm\": false}", HeadSpec.Dense.class));
        assertEquals("dense units must be >= 1; received 0", e.getCause().getMessage());
        HeadSpec.Dense d = json.readValue("{\"units\": 3, \"activation\": \"RELU\", \"dropout\": 0.5, \"batchNorm\": true}",
                HeadSpec.Dense.class);
        assertEquals(new HeadSpec.Dense(3, Activation.RELU, 0.5, true), d);
    }
}
