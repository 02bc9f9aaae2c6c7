package io.transfer4j.zoo;

/** Network families the zoo can build. {@code TINY} is a small seeded CNN with the same conventions, for tests. */
public enum Architecture {
    VGG16, RESNET50, MOBILENETV2, TINY;

    /**
     * This architecture's vertex name for a layer named in another scheme that maps one to one: tf.keras'
     * ResNet50 names ({@code conv5_block3_out} is {@code res5c_relu}); other names are returned unchanged.
     */
    public String vertexName(String name) {
        return name == null ? null : io.transfer4j.zoo.internal.NetworkBlueprint.of(this).vertexName(name);
    }
}
