using Microsoft.AspNetCore.Builder;
using WardLink.ServiceDefaults.Security;

namespace WardLink.UnitTests;

public sealed class DevelopmentAuthTests
{
    [Fact]
    public void Development_gets_the_repository_key_pair_and_configuration_given_explicitly_wins()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.Configuration["Auth:Issuer"] = "https://issuer.example/";

        builder.AddDevelopmentAuthSettings();
        var settings = AuthSettings.From(builder.Configuration);

        Assert.Equal(new Uri("https://issuer.example/"), settings.Issuer);
        Assert.Equal(settings.Signing().KeyId, new AuthSettings { PublicKey = settings.PublicKey }.ValidationKey().KeyId);
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Testing")]
    public void No_other_environment_gets_a_key_it_was_not_given(string environment)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });

        builder.AddDevelopmentAuthSettings();
        var settings = AuthSettings.From(builder.Configuration);

        Assert.Null(settings.PublicKey);
        Assert.Null(settings.SigningKey);
        Assert.Throws<InvalidOperationException>(settings.ValidationKey);
    }
}
