/**
 * Helpers shared by every transfer4j library module: {@link io.transfer4j.internal.AtomicFiles} (temp file beside
 * the target, fsync, atomic move) and {@link io.transfer4j.internal.Names} ("Did you mean ...?"). Not an API: this
 * jar carries no compatibility promise and is not listed in {@code docs/api}. It lives in its own dependency-free
 * module, below {@code zoo}, so that no module has to reach into another module's package for them (they used to
 * sit in {@code zoo}'s public package) and so that {@code ArchitectureTest} can check it depends on no other
 * transfer4j package.
 */
package io.transfer4j.internal;
