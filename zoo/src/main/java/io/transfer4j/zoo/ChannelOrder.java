package io.transfer4j.zoo;

/** Order of the colour channels a backbone's weights expect. */
public enum ChannelOrder {
    RGB, BGR, GRAY
}
