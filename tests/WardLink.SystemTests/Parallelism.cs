// Each test class here starts the whole system (four services and the gateway, with their pools,
// daemons and consumers): two at a time, whatever the machine's cores. At one per core, a machine
// with many cores ran so many systems beside the integration tests that a system's start timed out.
[assembly: Xunit.v3.Parallelization(MaxThreads = 2)]
