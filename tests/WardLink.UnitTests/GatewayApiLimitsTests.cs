using System.Text.Json.Nodes;
using WardLink.Domain;
using WardLink.Gateway;
using WardLink.ServiceDefaults;
using WardLink.Testing;

namespace WardLink.UnitTests;

/// <summary>The gateway's own operations (<c>GatewayApi.json</c>) state their limits as the services' documents do, the ones the token endpoint checks.</summary>
public sealed class GatewayApiLimitsTests
{
    private static readonly JsonObject Document = Load();

    [Fact]
    public void Every_text_integer_and_list_of_the_gateway_s_own_operations_has_a_documented_limit_and_every_operation_a_success_response()
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

    [Fact]
    public void Problems_years_and_token_lifetimes_are_documented_with_the_bounds_the_code_keeps()
    {
        var schemas = Document["components"]!["schemas"]!;
        var problem = schemas["ProblemDetails"]!["properties"]!;
        var errors = schemas["HttpValidationProblemDetails"]!["allOf"]![1]!["properties"]!["errors"]!;
        var messages = errors["additionalProperties"]!;
        var year = schemas["AnnualReport"]!["properties"]!["year"]!;

        Assert.All(["type", "title", "detail", "instance"], text => Assert.Equal(ProblemResponses.MaxTextLength, (int)problem[text]!["maxLength"]!));
        Assert.Equal(ProblemResponses.TraceIdLength, (int)problem["traceId"]!["maxLength"]!);
        Assert.Equal((ProblemResponses.MaxFieldMessages, ProblemResponses.MaxTextLength), ((int)messages["maxItems"]!, (int)messages["items"]!["maxLength"]!));
        Assert.Equal(ProblemResponses.MaxFields, (int)errors["maxProperties"]!);
        Assert.Equal((WardTime.FirstYear, WardTime.LastYear), ((int)year["minimum"]!, (int)year["maximum"]!));
        var yearParameters = Document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject())
            .SelectMany(operation => operation.Value!["parameters"]?.AsArray() ?? [])
            .Where(parameter => (string?)parameter!["name"] == "year").ToList();
        Assert.NotEmpty(yearParameters);
        Assert.All(yearParameters, parameter => Assert.Equal((WardTime.FirstYear, WardTime.LastYear), ((int)parameter!["schema"]!["minimum"]!, (int)parameter["schema"]!["maximum"]!)));
        Assert.Equal((int)TokenIssuer.AccessTokenLifetime.TotalSeconds, (int)schemas["TokenResponse"]!["properties"]!["expires_in"]!["maximum"]!);
    }

    private static JsonObject Load()
    {
        using var stream = typeof(ApiDocument).Assembly.GetManifestResourceStream("WardLink.Gateway.GatewayApi.json")!;
        return JsonNode.Parse(stream)!.AsObject();
    }
}
