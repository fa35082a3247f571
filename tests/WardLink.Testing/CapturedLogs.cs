using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;

namespace WardLink.Testing;

/// <summary>
/// Every log line the host writes at <paramref name="minimum"/> or above (every level by default), formatted with its exception
/// and the scopes it was written in (what a provider that shows scopes, OTLP or the JSON console, would send).
/// </summary>
public sealed class CapturedLogs(LogLevel minimum = LogLevel.Trace) : ILoggerProvider, ISupportExternalScope
{
    /// <summary>What comes before each scope a line carries.</summary>
    public const string ScopeMark = "\n  in scope: ";

    private readonly ConcurrentQueue<string> _lines = new();
    private IExternalScopeProvider? _scopes;

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Capture(categoryName, minimum, _lines, () => _scopes);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Capture(string category, LogLevel minimum, ConcurrentQueue<string> lines, Func<IExternalScopeProvider?> scopes) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                var line = new StringBuilder($"{logLevel} {category}: {formatter(state, exception)} {exception} {state}");
                scopes()?.ForEachScope((scope, text) => text.Append(ScopeMark).Append(scope), line);
                lines.Enqueue(line.ToString());
            }
        }
    }
}
