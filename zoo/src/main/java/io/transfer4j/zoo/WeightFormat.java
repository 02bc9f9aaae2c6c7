package io.transfer4j.zoo;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The file formats pretrained weights come in. */
public enum WeightFormat {
    /** A Deeplearning4j {@code ModelSerializer} zip (DL4J's own zoo files). */
    @JsonProperty("dl4j-zip") DL4J_ZIP("dl4j-zip"),
    /** A Keras {@code save_weights} HDF5 file, as Keras publishes for {@code keras.applications}. */
    @JsonProperty("keras-h5") KERAS_H5("keras-h5");

    private final String label;

    WeightFormat(String label) {
        this.label = label;
    }

    @Override
    public String toString() {
        return label;
    }
}
