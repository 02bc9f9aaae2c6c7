/** Generators of test material: seeded image folders, hostile files, tiny models, golden bundles. */
package io.transfer4j.testdata;
