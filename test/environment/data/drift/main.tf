# Stands in for an App Service and a PostgreSQL flexible server with terraform's built-in terraform_data resource,
# because no provider can be downloaded where the tests run. Drift here means the same as with azurerm: the
# configuration no longer matches the recorded state.
variable "app_sku" {
  type = string
}

variable "min_tls_version" {
  type    = string
  default = "1.2"
}

resource "terraform_data" "app_service" {
  input = {
    sku             = var.app_sku
    min_tls_version = var.min_tls_version
  }
}

resource "terraform_data" "postgres" {
  input = {
    version      = "16"
    storage_gb   = 128
    ha_mode      = "ZoneRedundant"
  }
}
