using Marten;
using Microsoft.Extensions.Logging;

namespace WardLink.EventSourcing;

/// <summary>
/// Marten's log (<c>Marten.IDocumentStore</c>), but a statement that lost a race (<see cref="Conflicts.IsConflict"/>) is
/// a Debug line, not an Error: the request that ran it is retried, replayed or answered 409 or 412, as the API documents,
/// so it is no failure an operator's alert on errors should see. Every other line, a database outage's included, is
/// Marten's as it wrote it; a request that fails is logged as failed where it is answered.
/// </summary>
internal sealed class LostRaces(ILoggerFactory loggers) : ILogger<IDocumentStore>
{
    private readonly ILogger _marten = loggers.CreateLogger<IDocumentStore>();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => _marten.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => _marten.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _marten.Log(exception is not null && logLevel > LogLevel.Debug && Conflicts.IsConflict(exception) ? LogLevel.Debug : logLevel, eventId, state, exception, formatter);
}
