using System.Net;
using System.Net.Sockets;

namespace WardLink.Testing;

/// <summary>
/// A TCP relay on loopback in front of a real server (PostgreSQL, RabbitMQ), so a test can make
/// that server vanish for one service, as a crash or a cut network would, without stopping it for
/// the other tests: <see cref="Close"/> resets every relayed connection and refuses new ones;
/// <see cref="Open"/> listens again on the same port. <see cref="Freeze"/> makes it hang instead, as a
/// stopped process does: connections stay open and no byte passes either way until <see cref="Thaw"/>, and new
/// ones are not accepted: the kernel completes them into the listener's queue (its backlog, as the server's own
/// listen queue) until that is full, then leaves them unanswered.
/// </summary>
public sealed class TcpGate : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly int _backlog;
    private readonly List<TcpClient> _connections = [];
    private readonly Lock _lock = new();
    private TcpListener? _listener;
    private CancellationTokenSource _open = new();
    private TaskCompletionSource _thawed = Thawed();
    private (byte[] Marker, TaskCompletionSource Cut)? _commitCut;

    private TcpGate(IPEndPoint target, int port, int backlog)
    {
        _target = target;
        Port = port;
        _backlog = backlog;
    }

    /// <summary>The loopback port clients connect to instead of the server's.</summary>
    public int Port { get; }

    /// <summary>A gate in front of <paramref name="host"/>:<paramref name="port"/> whose listen queue holds <paramref name="backlog"/> connections (as the kernel counts it).</summary>
    public static TcpGate Start(string host, int port, int backlog = (int)SocketOptionName.MaxConnections)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(backlog);
        var gate = new TcpGate(new IPEndPoint(Dns.GetHostAddresses(host).First(address => address.AddressFamily == AddressFamily.InterNetwork), port), ((IPEndPoint)listener.LocalEndpoint).Port, backlog);
        gate.Accept(listener);
        return gate;
    }

    /// <summary>Refuses new connections and resets the open ones (the server looks dead).</summary>
    public void Close()
    {
        List<TcpClient> open;
        lock (_lock)
        {
            _open.Cancel();
            _listener?.Stop();
            _listener = null;
            open = [.. _connections];
            _connections.Clear();
        }

        foreach (var connection in open)
        {
            Reset(connection);
        }
    }

    /// <summary>Passes no byte either way, on open connections and on new ones, until <see cref="Thaw"/>: the server hangs.</summary>
    public void Freeze()
    {
        lock (_lock)
        {
            if (_thawed.Task.IsCompleted)
            {
                _thawed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <summary>Passes bytes again, those held while frozen first.</summary>
    public void Thaw()
    {
        lock (_lock)
        {
            _thawed.TrySetResult();
        }
    }

    /// <summary>
    /// Loses the answer to the next PostgreSQL <c>COMMIT</c> of a transaction whose statements hold <paramref name="marker"/>: the
    /// server commits and answers, and the connection is reset before its answer reaches the client, which cannot know whether
    /// its transaction was stored. Completes once that happened.
    /// </summary>
    public Task CutAnswerToCommitOf(string marker)
    {
        var cut = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            _commitCut = (System.Text.Encoding.UTF8.GetBytes(marker), cut);
        }

        return cut.Task;
    }

    /// <summary>Accepts connections again on <see cref="Port"/>.</summary>
    public void Open()
    {
        var listener = new TcpListener(IPAddress.Loopback, Port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start(_backlog);
        lock (_lock)
        {
            _open = new CancellationTokenSource();
        }

        Accept(listener);
    }

    public ValueTask DisposeAsync()
    {
        Close();
        return ValueTask.CompletedTask;
    }

    private void Accept(TcpListener listener)
    {
        CancellationToken open;
        lock (_lock)
        {
            _listener = listener;
            open = _open.Token;
        }

        _ = Task.Run(async () =>
        {
            while (!open.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    // A frozen server accepts nothing: what arrives waits in the listen queue until the thaw.
                    await Thawing().WaitAsync(open);
                    client = await listener.AcceptTcpClientAsync(open);
                }
                catch (Exception stopped) when (stopped is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                _ = RelayAsync(client, open);
            }
        });
    }

    private async Task RelayAsync(TcpClient client, CancellationToken open)
    {
        var server = new TcpClient();
        lock (_lock)
        {
            _connections.Add(client);
            _connections.Add(server);
        }

        try
        {
            await server.ConnectAsync(_target, open);
            var clientStream = client.GetStream();
            var serverStream = server.GetStream();
            var relayed = new Relayed();
            await Task.WhenAny(PumpAsync(clientStream, serverStream, relayed, fromClient: true, open), PumpAsync(serverStream, clientStream, relayed, fromClient: false, open));
        }
        catch (Exception cut) when (cut is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // The gate closed or a side hung up: the other side is reset below.
        }
        finally
        {
            lock (_lock)
            {
                _connections.Remove(client);
                _connections.Remove(server);
            }

            Reset(client);
            Reset(server);
        }
    }

    /// <summary>
    /// Copies what <paramref name="from"/> sends to <paramref name="to"/>, each read held while the gate is frozen; on a connection
    /// whose client sent the marker of <see cref="CutAnswerToCommitOf"/> and then a <c>COMMIT</c>, the server's answer to it is
    /// not passed on but ends the connection.
    /// </summary>
    private async Task PumpAsync(NetworkStream from, NetworkStream to, Relayed relayed, bool fromClient, CancellationToken open)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, open)) > 0)
        {
            await Thawing().WaitAsync(open);
            var chunk = buffer.AsSpan(0, read);
            (byte[] Marker, TaskCompletionSource Cut)? commitCut;
            lock (_lock)
            {
                commitCut = _commitCut;
            }

            if (commitCut is { } armed)
            {
                if (fromClient)
                {
                    relayed.SawMarker |= chunk.IndexOf(armed.Marker) >= 0;
                    relayed.Committing |= relayed.SawMarker && chunk.IndexOf("COMMIT"u8) >= 0;
                }
                else if (relayed.Committing && chunk.IndexOf("COMMIT\0"u8) >= 0)
                {
                    lock (_lock)
                    {
                        _commitCut = null;
                    }

                    armed.Cut.TrySetResult();
                    throw new IOException("The answer to the marked COMMIT is lost on the way.");
                }
            }

            await to.WriteAsync(buffer.AsMemory(0, read), open);
        }
    }

    /// <summary>What one relayed connection carried so far, for <see cref="CutAnswerToCommitOf"/>.</summary>
    private sealed class Relayed
    {
        public bool SawMarker { get; set; }

        public bool Committing { get; set; }
    }

    /// <summary>Completes once the gate is not frozen (at once when it is not).</summary>
    private Task Thawing()
    {
        lock (_lock)
        {
            return _thawed.Task;
        }
    }

    private static TaskCompletionSource Thawed()
    {
        var thawed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        thawed.SetResult();
        return thawed;
    }

    /// <summary>Closes a connection with a reset (no lingering), as a crashed peer's kernel would; it may be closed already.</summary>
    private static void Reset(TcpClient connection)
    {
        try
        {
            connection.Client?.LingerState = new LingerOption(true, 0);
        }
        catch (ObjectDisposedException)
        {
            // Closed by the other side of the relay meanwhile.
        }

        connection.Dispose();
    }
}
