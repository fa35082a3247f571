namespace WardLink.Testing;

/// <summary>A clock the test sets: <see cref="TimeProvider.GetUtcNow"/> says what the test last set; timers still run in real time.</summary>
public sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    private long _ticks = now.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Set(DateTimeOffset now) => Interlocked.Exchange(ref _ticks, now.UtcTicks);
}
