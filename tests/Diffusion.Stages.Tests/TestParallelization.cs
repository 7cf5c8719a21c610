// Training and sampling tests draw from libtorch's process-wide default generator (weight init, dropout);
// run in parallel they would interleave draws and break the bit-for-bit comparisons, so this assembly runs
// its test classes one at a time. (A CLI run is one pipeline per process; PipelineRunner also serialises runs.)
[assembly: CollectionBehavior(DisableTestParallelization = true)]
