using System.Globalization;
using System.Net.Sockets;
using System.Text;
using WardLink.ServiceDefaults.Security;
using WardLink.Testing;

namespace WardLink.SystemTests;

/// <summary>
/// The request header limits are the gateway's (docs/api.md: a <c>431</c> past 100 fields or 32 KB): whatever the
/// gateway itself admits, found by searching its own endpoint's limit, a service behind it admits too, with the headers
/// the gateway adds on the way; one field or byte more is the gateway's own <c>431</c>.
/// </summary>
public sealed class GatewayHeaderLimitTests(WardLinkSystem system) : IClassFixture<WardLinkSystem>
{
    private const string GatewayOwn = "/health/live";
    private const string Proxied = "/api/tips?limit=1";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly string _token = TestAuth.Token(WardLinkRoles.Police);

    [Fact]
    public async Task As_many_header_fields_as_the_gateway_admits_reach_the_service_and_one_more_is_the_gateway_s_431()
    {
        var most = await MostAdmittedAsync(count => Fields(count, 1), 300);

        Assert.Equal(200, await StatusAsync(Proxied, Fields(most, 1)));
        Assert.Equal(431, await StatusAsync(Proxied, Fields(most + 1, 1)));
    }

    [Fact]
    public async Task As_many_header_bytes_as_the_gateway_admits_reach_the_service_and_one_more_is_the_gateway_s_431()
    {
        const int Fields = 8;
        var most = await MostAdmittedAsync(length => Padded(Fields, length), 64 * 1024);

        Assert.Equal(200, await StatusAsync(Proxied, Padded(Fields, most)));
        Assert.Equal(431, await StatusAsync(Proxied, Padded(Fields, most + 1)));
    }

    /// <summary>The largest size (up to <paramref name="above"/>, which it refuses) of the headers the gateway's own endpoint admits.</summary>
    private async Task<int> MostAdmittedAsync(Func<int, IReadOnlyList<string>> headers, int above)
    {
        var (admitted, refused) = (0, above);
        Assert.Equal(431, await StatusAsync(GatewayOwn, headers(refused)));
        while (refused - admitted > 1)
        {
            var middle = admitted + ((refused - admitted) / 2);
            if (await StatusAsync(GatewayOwn, headers(middle)) == 431)
            {
                refused = middle;
            }
            else
            {
                admitted = middle;
            }
        }

        return admitted;
    }

    /// <summary><paramref name="count"/> header fields in all, the request's own included, each padding <paramref name="length"/> characters.</summary>
    private IReadOnlyList<string> Fields(int count, int length) =>
        [.. Own(), .. Enumerable.Range(0, Math.Max(0, count - Own().Count)).Select(index => $"X-Pad-{index}: {new string('p', length)}")];

    /// <summary>The request's own fields and <paramref name="fields"/> paddings sharing <paramref name="length"/> characters.</summary>
    private IReadOnlyList<string> Padded(int fields, int length) =>
        [.. Own(), .. Enumerable.Range(0, fields).Select(index => $"X-Pad-{index}: {new string('p', (length / fields) + (index < length % fields ? 1 : 0))}")];

    private List<string> Own() => [$"Host: {system.GatewayAddress.Authority}", $"Authorization: Bearer {_token}", "Connection: close"];

    private async Task<int> StatusAsync(string path, IReadOnlyList<string> headers)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(system.GatewayAddress.Host, system.GatewayAddress.Port, Ct);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\n{string.Concat(headers.Select(header => header + "\r\n"))}\r\n"), Ct);
        var answer = new StringBuilder();
        var buffer = new byte[4096];
        int read;
        while (!answer.ToString().Contains("\r\n", StringComparison.Ordinal) && (read = await stream.ReadAsync(buffer, Ct)) > 0)
        {
            answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        var status = answer.ToString().Split(' ');
        Assert.True(status.Length > 1, $"No answer to {headers.Count} header fields on {path}");
        return int.Parse(status[1], CultureInfo.InvariantCulture);
    }
}
