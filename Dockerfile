# The GitHub Action's image. The runner builds it with this folder (the repository root) as the context,
# because the entrypoint needs engine/ and action/. The runner sets the working folder (/github/workspace)
# and runs actions as root, so there is no WORKDIR or USER here on purpose.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
COPY global.json Directory.Build.props /src/
COPY engine/ /src/engine/
COPY action/ /src/action/
RUN dotnet publish /src/action/Deploy.Action.csproj -c Release -o /out --nologo -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/runtime:10.0
COPY --from=build /out /opt/deploy-action
ENTRYPOINT ["dotnet", "/opt/deploy-action/deploy-action.dll"]
