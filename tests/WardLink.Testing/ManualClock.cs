namespace WardLink.Testing;

/// <summary>
/// A clock the test sets: <see cref="TimeProvider.GetUtcNow"/> says what the test last set, and its timestamps (elapsed time)
/// follow it; timers still run in real time.
/// </summary>
public sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    private long _ticks = now.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public void Set(DateTimeOffset now) => Interlocked.Exchange(ref _ticks, now.UtcTicks);
}
