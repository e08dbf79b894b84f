package runbooks

// Table is a step's table: plain data in JSON. The command layer draws it
// for people through the one table renderer.
type Table struct {
	Title    string     `json:"title"`
	Columns  []string   `json:"columns"`
	Rows     [][]string `json:"rows"`
	Notes    []string   `json:"notes,omitempty"`
	Warnings []string   `json:"warnings,omitempty"`
	// Empty is what to say when there are no rows.
	Empty string `json:"-"`
}

// Add appends a row.
func (t *Table) Add(cells ...string) { t.Rows = append(t.Rows, cells) }
