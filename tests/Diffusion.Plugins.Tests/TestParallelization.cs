// Many plugin tests seed libtorch's global generator and then build a network (initialisation draws from it), and
// others draw from it meanwhile: run one test class at a time so a seed means the same weights whatever runs beside.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
