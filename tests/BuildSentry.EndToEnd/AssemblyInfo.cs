// The daemons these tests start all capture on "any" and all see every job on the machine: run one
// test at a time so one test's jobs are never another test's traffic.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
