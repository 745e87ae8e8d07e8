package embedded

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"go.temporal.io/server/common/config"
	tlog "go.temporal.io/server/common/log"
	"go.temporal.io/server/tools/common/schema"
	sqltool "go.temporal.io/server/tools/sql"

	// Registers the postgres12 persistence plugin.
	_ "go.temporal.io/server/common/persistence/sql/sqlplugin/postgresql"
)

// PostgresSQLConfig builds Temporal's SQL config for a database named dbName
// on the PostgreSQL server of dsn (postgres://user[:pass]@host:port/...).
func PostgresSQLConfig(dsn, dbName string) (*config.SQL, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, fmt.Errorf("embedded: bad database url: %w", err)
	}
	host := u.Hostname()
	if host == "" {
		host = "127.0.0.1"
	}
	port := u.Port()
	if port == "" {
		port = "5432"
	}
	pass, _ := u.User.Password()
	return &config.SQL{
		PluginName:      "postgres12",
		DatabaseName:    dbName,
		ConnectAddr:     net.JoinHostPort(host, port),
		ConnectProtocol: "tcp",
		User:            u.User.Username(),
		Password:        pass,
		MaxConns:        20,
		MaxIdleConns:    20,
	}, nil
}

// setupPostgres creates Temporal's two databases if missing and brings their
// schemas to the version this server expects, with the server's own schema
// tooling (what temporal-sql-tool does). It is idempotent.
func setupPostgres(main, vis *config.SQL) error {
	logger := tlog.NewNoopLogger()
	for _, c := range []struct {
		conf   *config.SQL
		schema string
	}{{main, "postgresql/v12/temporal"}, {vis, "postgresql/v12/visibility"}} {
		cp := *c.conf
		if err := sqltool.DoCreateDatabase(&cp, "postgres", logger); err != nil && !strings.Contains(err.Error(), "already exists") {
			return fmt.Errorf("embedded: create database %s: %w", c.conf.DatabaseName, err)
		}
		conn, err := sqltool.NewConnection(c.conf, logger)
		if err != nil {
			return fmt.Errorf("embedded: connect %s: %w", c.conf.DatabaseName, err)
		}
		if _, err := conn.ReadSchemaVersion(); err != nil {
			if err := schema.NewSetupSchemaTask(conn, &schema.SetupConfig{InitialVersion: "0.0"}, logger).Run(); err != nil {
				conn.Close()
				return fmt.Errorf("embedded: setup schema %s: %w", c.schema, err)
			}
		}
		if err := schema.NewUpdateSchemaTask(conn, &schema.UpdateConfig{DBName: c.conf.DatabaseName, SchemaName: c.schema}, logger).Run(); err != nil {
			conn.Close()
			return fmt.Errorf("embedded: update schema %s: %w", c.schema, err)
		}
		conn.Close()
	}
	return nil
}
