using System.Text.Json.Nodes;
using WardLink.Gateway;
using WardLink.Testing;

namespace WardLink.UnitTests;

/// <summary>The gateway's own operations (<c>GatewayApi.json</c>) state their limits as the services' documents do, the ones the token endpoint checks.</summary>
public sealed class GatewayApiLimitsTests
{
    private static readonly JsonObject Document = Load();

    [Fact]
    public void Every_value_a_client_sends_the_gateway_has_a_documented_limit_and_every_operation_a_success_response()
    {
        var missing = DocumentedLimits.MissingIn(Document);

        Assert.True(missing.Count == 0, string.Join("\n", missing));
    }

    [Fact]
    public void The_token_request_s_lengths_are_the_ones_the_token_endpoint_checks()
    {
        var properties = Document["components"]!["schemas"]!["TokenRequest"]!["properties"]!;

        Assert.Equal(
            (TokenIssuer.MaxClientIdLength, TokenIssuer.MaxClientSecretLength, TokenIssuer.MaxScopeLength),
            ((int)properties["client_id"]!["maxLength"]!, (int)properties["client_secret"]!["maxLength"]!, (int)properties["scope"]!["maxLength"]!));
    }

    private static JsonObject Load()
    {
        using var stream = typeof(ApiDocument).Assembly.GetManifestResourceStream("WardLink.Gateway.GatewayApi.json")!;
        return JsonNode.Parse(stream)!.AsObject();
    }
}
