/**
 * Self-calibration: measure the model executor, fit the cost model, and report how far a simulation is from the real
 * run. {@link servelab.runtime.calibrate.Calibrator} runs a {@link servelab.runtime.calibrate.CalibrationGrid} of
 * designed steps ({@link servelab.runtime.calibrate.GridPoint}) through the model executor exactly as the engine
 * would, and {@link servelab.runtime.calibrate.ProfileWriter} writes the medians as a measured profile;
 * {@link servelab.runtime.calibrate.Validation} runs one experiment in both worlds and
 * {@link servelab.runtime.calibrate.ValidationReport} writes the error table and CDFs;
 * {@link servelab.runtime.calibrate.VidurProfiles} turns Vidur's published GPU profiles into the same kind of table.
 *
 * {@snippet :
 * var c = Calibrator.run(new Calibrator.Settings(Path.of("tiny.gguf"), Backend.CPU_VECTOR, 2, false, 300, 16, 1),
 *         (done, total) -> {});
 * var profile = ProfileWriter.write(c, Path.of("profiles/tiny-cpu.yaml")).yaml();
 * var result = Validation.run(new Validation.Settings(Path.of("exp.yaml"), List.of(), Path.of("tiny.gguf"),
 *         profile.toString(), Path.of("validation"), Path.of("target/plugins")), ExperimentRunner.Progress.NONE);
 * double tpotError = result.error("TPOT", "mean").relative(); // (simulated - real) / real
 * }
 */
package servelab.runtime.calibrate;
