/** transfer4j augmentation. */
package io.transfer4j.augmentation;
