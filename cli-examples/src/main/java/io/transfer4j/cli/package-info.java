/** The transfer4j command and the examples. */
package io.transfer4j.cli;
