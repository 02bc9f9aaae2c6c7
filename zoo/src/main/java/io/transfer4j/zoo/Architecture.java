package io.transfer4j.zoo;

/** Network families the zoo can build. {@code TINY} is a small seeded CNN with the same conventions, for tests. */
public enum Architecture {
    VGG16, RESNET50, MOBILENETV2, TINY
}
