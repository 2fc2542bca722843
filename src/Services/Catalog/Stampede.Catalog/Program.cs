using Stampede.Catalog;
using Stampede.ServiceDefaults;
using Stampede.ServiceDefaults.Persistence;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("catalog");
builder.AddPostgres(typeof(CatalogService).Assembly);
builder.AddRedis();
builder.AddCatalogModule();

var app = builder.Build();
app.UseServiceDefaults();
app.MapServiceDefaults();
app.MapCatalogApi();
app.Run();
