// The guard switches oneDNN on and off for the whole process: its tests run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
