/** transfer4j core. */
package io.transfer4j.core;
