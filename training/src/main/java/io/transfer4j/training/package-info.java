/** transfer4j training. */
package io.transfer4j.training;
