# A local stand-in for a team's environment: a PostgreSQL cluster and an HTTP service, built only from
# Terraform's built-in terraform_data resource (no provider to download). Each resource starts a real process
# when created and stops it when destroyed. Every name carries var.name_suffix, which the drill sets to a value
# of its own, so a drill never collides with another copy.

variable "name_suffix" {
  type        = string
  description = "Set by the drill: unique per run."
}

variable "run_dir" {
  type        = string
  description = "Folder under which the cluster and the service keep their files."
  default     = "/tmp"
}

variable "pg_port" {
  type = number
}

variable "pg_bin" {
  type    = string
  default = "/usr/lib/postgresql/15/bin"
}

variable "http_port" {
  type = number
}

variable "service_version" {
  type    = string
  default = "1.0.0"
}

resource "terraform_data" "database" {
  input = {
    dir  = "${var.run_dir}/readiness-env-${var.name_suffix}-pg"
    port = var.pg_port
    bin  = var.pg_bin
  }

  provisioner "local-exec" {
    command     = "${path.module}/scripts/pg-up.sh"
    environment = { PG_DIR = self.input.dir, PG_PORT = self.input.port, PG_BIN = self.input.bin }
  }

  provisioner "local-exec" {
    when        = destroy
    command     = "${path.module}/scripts/pg-down.sh"
    environment = { PG_DIR = self.input.dir, PG_BIN = self.input.bin }
  }
}

resource "terraform_data" "service" {
  depends_on = [terraform_data.database]
  input = {
    dir     = "${var.run_dir}/readiness-env-${var.name_suffix}-svc"
    port    = var.http_port
    version = var.service_version
  }

  provisioner "local-exec" {
    command     = "${path.module}/scripts/service-up.sh"
    environment = { SERVICE_DIR = self.input.dir, SERVICE_PORT = self.input.port, SERVICE_VERSION = self.input.version, SERVICE_JS = "${path.module}/scripts/service.js" }
  }

  provisioner "local-exec" {
    when        = destroy
    command     = "${path.module}/scripts/service-down.sh"
    environment = { SERVICE_DIR = self.input.dir }
  }
}

output "health_url" {
  value = "http://127.0.0.1:${var.http_port}/health"
}

output "database_url" {
  value = "postgres://postgres@127.0.0.1:${var.pg_port}/postgres"
}

output "service_pid_file" {
  value = "${terraform_data.service.input.dir}/service.pid"
}

output "database_dir" {
  value = terraform_data.database.input.dir
}
