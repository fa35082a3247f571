namespace WardLink.Testing;

/// <summary>
/// A clock the test sets: <see cref="TimeProvider.GetUtcNow"/> says what the test last set; timers still run in real time, and
/// so do its timestamps (elapsed time), unless <paramref name="timestampsFollow"/>: then they follow what the test sets too
/// (not for a whole service: what measures elapsed time in it, the event relay's wake-ups among them, would wait for ever).
/// </summary>
public sealed class ManualClock(DateTimeOffset now, bool timestampsFollow = false) : TimeProvider
{
    private long _ticks = now.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public override long TimestampFrequency => timestampsFollow ? TimeSpan.TicksPerSecond : base.TimestampFrequency;

    public override long GetTimestamp() => timestampsFollow ? Interlocked.Read(ref _ticks) : base.GetTimestamp();

    public void Set(DateTimeOffset now) => Interlocked.Exchange(ref _ticks, now.UtcTicks);
}
