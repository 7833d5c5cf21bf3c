-- Version 8: staff roster — contract shared with issue 18 (departments, staff and their phones).
CREATE TABLE departments (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    name TEXT NOT NULL,                 -- "Tổ Toán - Tin" as imported
    name_key TEXT NOT NULL,             -- folded: lower case, no diacritics, single spaces
    UNIQUE (school_id, name_key)
);
CREATE TABLE staff (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    code TEXT NOT NULL,                 -- ma_gv
    full_name TEXT NOT NULL,
    phone TEXT,                         -- E.164 '+84...', as guardians.phone
    email TEXT,
    department_id INTEGER REFERENCES departments(id),
    position TEXT NOT NULL CHECK (position IN ('gv','to_truong','hieu_truong','pho_hieu_truong','van_thu','dieu_phoi')),
    user_id INTEGER REFERENCES users(id),
    active INTEGER NOT NULL DEFAULT 1,
    UNIQUE (school_id, code)
);
